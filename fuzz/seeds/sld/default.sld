<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0"
  xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se"
  xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">
 <NamedLayer>
  <se:Name>erp</se:Name>
  <UserStyle>
   <se:Name>default</se:Name>
   <se:Description>
    <se:Title>Établissements recevant du public</se:Title>
    <se:Abstract>Un symbole par famille de types d'ERP, d'autant plus grand que la catégorie est élevée (catégorie 1 : plus de 1 500 personnes). Noms affichés aux grandes échelles.</se:Abstract>
   </se:Description>
   <se:FeatureTypeStyle>
    <se:Rule>
     <se:Name>enseignement</se:Name>
     <se:Description><se:Title>Enseignement, formation (R)</se:Title></se:Description>
     <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>R</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>triangle</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#1f5fa8</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>
        <se:Categorize fallbackValue="8" threshholdsBelongTo="succeeding">
         <se:LookupValue><ogc:PropertyName>categorie_erp</ogc:PropertyName></se:LookupValue>
         <se:Value>16</se:Value>
         <se:Threshold>2</se:Threshold><se:Value>14</se:Value>
         <se:Threshold>3</se:Threshold><se:Value>12</se:Value>
         <se:Threshold>4</se:Threshold><se:Value>10</se:Value>
         <se:Threshold>5</se:Threshold><se:Value>8</se:Value>
        </se:Categorize>
       </se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
    <se:Rule>
     <se:Name>sante</se:Name>
     <se:Description><se:Title>Soins, personnes âgées ou handicapées (U, J)</se:Title></se:Description>
     <ogc:Filter><ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>U</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>J</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Or></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:ExternalGraphic>
        <se:OnlineResource xlink:type="simple" xlink:href="icons/sante.svg"/>
        <se:Format>image/svg+xml</se:Format>
       </se:ExternalGraphic>
       <se:Size>
        <se:Categorize fallbackValue="8" threshholdsBelongTo="succeeding">
         <se:LookupValue><ogc:PropertyName>categorie_erp</ogc:PropertyName></se:LookupValue>
         <se:Value>16</se:Value>
         <se:Threshold>2</se:Threshold><se:Value>14</se:Value>
         <se:Threshold>3</se:Threshold><se:Value>12</se:Value>
         <se:Threshold>4</se:Threshold><se:Value>10</se:Value>
         <se:Threshold>5</se:Threshold><se:Value>8</se:Value>
        </se:Categorize>
       </se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
    <se:Rule>
     <se:Name>commerce</se:Name>
     <se:Description><se:Title>Magasins, centres commerciaux (M)</se:Title></se:Description>
     <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>M</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>circle</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#f28e2b</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>
        <se:Categorize fallbackValue="8" threshholdsBelongTo="succeeding">
         <se:LookupValue><ogc:PropertyName>categorie_erp</ogc:PropertyName></se:LookupValue>
         <se:Value>16</se:Value>
         <se:Threshold>2</se:Threshold><se:Value>14</se:Value>
         <se:Threshold>3</se:Threshold><se:Value>12</se:Value>
         <se:Threshold>4</se:Threshold><se:Value>10</se:Value>
         <se:Threshold>5</se:Threshold><se:Value>8</se:Value>
        </se:Categorize>
       </se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
    <se:Rule>
     <se:Name>restauration</se:Name>
     <se:Description><se:Title>Restaurants, hôtels (N, O)</se:Title></se:Description>
     <ogc:Filter><ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>N</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>O</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Or></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>square</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#8e5bb5</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>
        <se:Categorize fallbackValue="8" threshholdsBelongTo="succeeding">
         <se:LookupValue><ogc:PropertyName>categorie_erp</ogc:PropertyName></se:LookupValue>
         <se:Value>16</se:Value>
         <se:Threshold>2</se:Threshold><se:Value>14</se:Value>
         <se:Threshold>3</se:Threshold><se:Value>12</se:Value>
         <se:Threshold>4</se:Threshold><se:Value>10</se:Value>
         <se:Threshold>5</se:Threshold><se:Value>8</se:Value>
        </se:Categorize>
       </se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
    <se:Rule>
     <se:Name>culture</se:Name>
     <se:Description><se:Title>Culture, spectacles, loisirs (L, P, S, T, Y)</se:Title></se:Description>
     <ogc:Filter><ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>L</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>P</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>S</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>T</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>Y</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Or></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>star</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#2e9e4f</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>
        <se:Categorize fallbackValue="8" threshholdsBelongTo="succeeding">
         <se:LookupValue><ogc:PropertyName>categorie_erp</ogc:PropertyName></se:LookupValue>
         <se:Value>16</se:Value>
         <se:Threshold>2</se:Threshold><se:Value>14</se:Value>
         <se:Threshold>3</se:Threshold><se:Value>12</se:Value>
         <se:Threshold>4</se:Threshold><se:Value>10</se:Value>
         <se:Threshold>5</se:Threshold><se:Value>8</se:Value>
        </se:Categorize>
       </se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
    <se:Rule>
     <se:Name>sport</se:Name>
     <se:Description><se:Title>Sport (X, PA)</se:Title></se:Description>
     <ogc:Filter><ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>X</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>PA</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Or></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>circle</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#17a2b8</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>
        <se:Categorize fallbackValue="8" threshholdsBelongTo="succeeding">
         <se:LookupValue><ogc:PropertyName>categorie_erp</ogc:PropertyName></se:LookupValue>
         <se:Value>16</se:Value>
         <se:Threshold>2</se:Threshold><se:Value>14</se:Value>
         <se:Threshold>3</se:Threshold><se:Value>12</se:Value>
         <se:Threshold>4</se:Threshold><se:Value>10</se:Value>
         <se:Threshold>5</se:Threshold><se:Value>8</se:Value>
        </se:Categorize>
       </se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
    <se:Rule>
     <se:Name>administration</se:Name>
     <se:Description><se:Title>Administrations, banques, bureaux (W)</se:Title></se:Description>
     <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>W</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>square</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#5f6b73</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>
        <se:Categorize fallbackValue="8" threshholdsBelongTo="succeeding">
         <se:LookupValue><ogc:PropertyName>categorie_erp</ogc:PropertyName></se:LookupValue>
         <se:Value>16</se:Value>
         <se:Threshold>2</se:Threshold><se:Value>14</se:Value>
         <se:Threshold>3</se:Threshold><se:Value>12</se:Value>
         <se:Threshold>4</se:Threshold><se:Value>10</se:Value>
         <se:Threshold>5</se:Threshold><se:Value>8</se:Value>
        </se:Categorize>
       </se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
    <se:Rule>
     <se:Name>culte</se:Name>
     <se:Description><se:Title>Culte (V)</se:Title></se:Description>
     <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>V</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>x</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#8c5a3c</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>
        <se:Categorize fallbackValue="8" threshholdsBelongTo="succeeding">
         <se:LookupValue><ogc:PropertyName>categorie_erp</ogc:PropertyName></se:LookupValue>
         <se:Value>16</se:Value>
         <se:Threshold>2</se:Threshold><se:Value>14</se:Value>
         <se:Threshold>3</se:Threshold><se:Value>12</se:Value>
         <se:Threshold>4</se:Threshold><se:Value>10</se:Value>
         <se:Threshold>5</se:Threshold><se:Value>8</se:Value>
        </se:Categorize>
       </se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
    <se:Rule>
     <se:Name>autres</se:Name>
     <se:Description><se:Title>Gares, chapiteaux, structures spéciales (GA, CTS, SG, EF, OA, REF)</se:Title></se:Description>
     <ogc:Filter><ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>GA</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>CTS</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>SG</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>EF</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>OA</ogc:Literal></ogc:PropertyIsEqualTo><ogc:PropertyIsEqualTo><ogc:PropertyName>type_erp</ogc:PropertyName><ogc:Literal>REF</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Or></ogc:Filter>
     <se:PointSymbolizer>
      <se:Graphic>
       <se:Mark>
        <se:WellKnownName>triangle</se:WellKnownName>
        <se:Fill><se:SvgParameter name="fill">#b8a31f</se:SvgParameter></se:Fill>
        <se:Stroke><se:SvgParameter name="stroke">#ffffff</se:SvgParameter><se:SvgParameter name="stroke-width">1</se:SvgParameter></se:Stroke>
       </se:Mark>
       <se:Size>
        <se:Categorize fallbackValue="8" threshholdsBelongTo="succeeding">
         <se:LookupValue><ogc:PropertyName>categorie_erp</ogc:PropertyName></se:LookupValue>
         <se:Value>16</se:Value>
         <se:Threshold>2</se:Threshold><se:Value>14</se:Value>
         <se:Threshold>3</se:Threshold><se:Value>12</se:Value>
         <se:Threshold>4</se:Threshold><se:Value>10</se:Value>
         <se:Threshold>5</se:Threshold><se:Value>8</se:Value>
        </se:Categorize>
       </se:Size>
      </se:Graphic>
     </se:PointSymbolizer>
    </se:Rule>
   </se:FeatureTypeStyle>
   <se:FeatureTypeStyle>
    <se:Rule>
     <se:Name>noms</se:Name>
     <se:Description><se:Title>Nom de l'établissement (au-delà du 1:3 000)</se:Title></se:Description>
     <se:MaxScaleDenominator>3000</se:MaxScaleDenominator>
     <se:TextSymbolizer>
      <se:Label><ogc:PropertyName>nom</ogc:PropertyName></se:Label>
      <se:Font>
       <se:SvgParameter name="font-family">DejaVu Sans</se:SvgParameter>
       <se:SvgParameter name="font-size">11</se:SvgParameter>
      </se:Font>
      <se:LabelPlacement>
       <se:PointPlacement>
        <se:AnchorPoint><se:AnchorPointX>0.5</se:AnchorPointX><se:AnchorPointY>0</se:AnchorPointY></se:AnchorPoint>
        <se:Displacement><se:DisplacementX>0</se:DisplacementX><se:DisplacementY>9</se:DisplacementY></se:Displacement>
       </se:PointPlacement>
      </se:LabelPlacement>
      <se:Halo>
       <se:Radius>1.5</se:Radius>
       <se:Fill><se:SvgParameter name="fill">#ffffff</se:SvgParameter></se:Fill>
      </se:Halo>
      <se:Fill><se:SvgParameter name="fill">#222222</se:SvgParameter></se:Fill>
     </se:TextSymbolizer>
    </se:Rule>
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>
